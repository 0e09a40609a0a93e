"""The three sample clinics' content, one module per markup flavour."""
