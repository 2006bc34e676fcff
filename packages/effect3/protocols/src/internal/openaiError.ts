export * from "@streamguard/kernel/protocols/internal/openaiError"
