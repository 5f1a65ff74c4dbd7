"""Retention campaigns: an offer or action for a set of customers with a random control group
held out, the outcome of each action as agents record it, and the save rate of treated against
control customers over the months that follow (eTOM 1.3.4.1.3)."""
