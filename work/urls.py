from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/bulk-assign/", views.tasks_bulk_assign, name="tasks_bulk_assign"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:task_id>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:task_id>/assign/", views.task_assign, name="task_assign"),
    path("customers/<str:number>/tasks/new/", views.task_add, name="task_add"),
    path("customers/<str:number>/notes/new/", views.note_add, name="note_add"),
    path("notes/<int:note_id>/pin/", views.note_pin, name="note_pin"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
]
