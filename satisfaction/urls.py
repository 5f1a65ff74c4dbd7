from django.urls import path

from satisfaction.views import results, staff

app_name = "satisfaction"
urlpatterns = [
    # Staff
    path("", results.results, name="results"),
    path("responses/", results.responses, name="responses"),
    path("surveys/", staff.survey_list, name="surveys"),
    path("surveys/new/", staff.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/", staff.survey_edit, name="survey_edit"),
    path("follow-ups/", staff.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", staff.follow_up_close, name="follow_up_close"),
    path("follow-ups/<int:follow_up_id>/assign/", staff.follow_up_assign, name="follow_up_assign"),
]
