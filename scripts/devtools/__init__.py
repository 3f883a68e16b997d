"""Developer tools: sample events, signing, benchmarks' shared pieces."""
