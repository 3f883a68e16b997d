"""Application services: wire adapters to the domain for one function; may import adapters, unlike domain."""
