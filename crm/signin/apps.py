from django.apps import AppConfig


class SignInConfig(AppConfig):
    name = "crm.signin"
    label = "signin"
    verbose_name = "Staff sign-in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from crm import staff
        from crm.signin import log, sessions

        log.connect()
        sessions.connect()
        user_logged_in.connect(staff.second_factor_decide, dispatch_uid="crm.staff.second_factor")
