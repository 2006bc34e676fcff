export * from "@streamguard/kernel/protocols/internal/responseMeta"
