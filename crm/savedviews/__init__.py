"""Saved views of list pages: a name for a list's filters and sort, kept for its owner and, if
they choose, shared with one of their groups. A list offers them once it is registered as an
export source (``crm.exports.sources``), which names its page and its permission."""
