"""The coordinators' dashboard: server-rendered pages beside the REST API, one process.

Every page works without JavaScript (plain forms: POST, then 303 to a page); the small
``static/dashboard.js`` only adds a confirmation before a trigger and hides form fields the
chosen trigger does not use. The pages call the same use cases as the API and the command
line, and the same role table refuses the same things everywhere.
"""
