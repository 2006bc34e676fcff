export * from "@streamguard/kernel/protocols/internal/sseWriter"
