"""Routes of the api function, one module per resource."""
