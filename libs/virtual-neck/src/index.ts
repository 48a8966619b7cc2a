// Filled in by the virtual neck work.
