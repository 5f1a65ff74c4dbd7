// The global search: suggestions as you type and keyboard navigation.
