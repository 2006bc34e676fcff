/**
 * The endpoints the gateway proxies, each named by the dialect its clients speak: what routing
 * matches an upstream against, what the upstream request is built for, and the shape every error
 * answer takes.
 *
 * @since 0.1.0
 */

/**
 * The client-facing dialects: one per endpoint (`POST /v1/chat/completions`, `/v1/responses`,
 * `/v1/messages`).
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint = "openaiChat" | "openaiResponses" | "anthropic"
