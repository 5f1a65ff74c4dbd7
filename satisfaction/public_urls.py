"""The customer's pages: no login, reached from the invitation's signed link."""

from django.urls import path, re_path

from satisfaction.views import public

app_name = "survey"
urlpatterns = [
    path("<str:token>/", public.answer, name="answer"),
    path("<str:token>/thanks/", public.thanks, name="thanks"),
    path("<str:token>/opt-out/", public.opt_out, name="opt_out"),
    re_path(r"^(?P<token>.*)$", public.link_invalid, name="link_invalid"),
]
