"""The site has no models of its own (the ground's abstract ones are in ``rdportfolio.core``).

This module exists so that Django counts the site as an app with models and sends it
``post_migrate``, on which the roles are kept in step (see ``apps.py``).
"""
