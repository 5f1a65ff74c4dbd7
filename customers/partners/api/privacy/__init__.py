"""TMF644 Privacy Management v5: partners read and record their customers' consents."""
