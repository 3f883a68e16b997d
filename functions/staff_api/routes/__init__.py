"""The console API's routers, one per topic; app.py includes each with one line."""
