"""One screen per concern: wallboard, operators, queues, IVR, hours, plugins, setup."""
