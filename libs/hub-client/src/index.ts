// Filled in by the hub client work.
