"""llmctl.trainers: datasets, Accelerate training loops, evaluation and GGUF export (see issue #4)."""
