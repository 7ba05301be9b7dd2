"""Care reminders: the daily re-evaluation and the dispatch of due tasks and critical alerts
to people (log, email, webhook), each delivered once per task, channel and reminder kind."""
