"""Blind multi-layer evaluation of candidate technologies (an app of its own).

It reads technologies and nothing above them; nothing but the site imports it,
so evaluations never reach the dashboards or the API.
"""
