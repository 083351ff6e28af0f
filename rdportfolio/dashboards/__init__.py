"""The dashboards for company CTOs: a module per page, composed from the apps' records.

They sit in the site layer, above every data app (import-linter checks it):
``overview`` (the KPI), ``technologies`` (the list, its CSV, the status counts and the
radar), ``technology`` (one technology), ``partners`` (countries, institutions,
centres). ``access`` says who may see them and in which unit; ``filters`` holds
their django-filter filter sets; ``radar`` places the radar's points.
"""
