"""Built-in ccore plugins, loaded through the ``ccore.plugins`` entry-point group."""
