"""TMF683 Party Interaction v5: partners record and read the touch points of their customers."""
