"""Integration tier: pide-ayuda against a real vLLM on 127.0.0.1 (marked vllm)."""
