from . import urls_calls, urls_objections

app_name = "competitions"

# Calls, entries, stages and reviews (urls_calls); finalists, the objection window and results (urls_objections).
urlpatterns = [*urls_calls.urlpatterns, *urls_objections.urlpatterns]
