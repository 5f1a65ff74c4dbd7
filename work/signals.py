"""What the work app tells the apps whose records are tasks too (a survey follow-up)."""

from django.dispatch import Signal

# Sent by task_assign inside its transaction, the task locked, before the owner changes, with
# task=, owner= (the new one, or None) and actor=. A receiver keeps its own record in step, or
# refuses the new owner by raising ValidationError, which undoes the reassignment.
task_assigned = Signal()
