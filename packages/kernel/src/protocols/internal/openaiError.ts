/**
 * OpenAI's error object, shared by Chat Completions and Responses (and the generic SSE dialect's
 * HTTP error body, for want of a provider of its own).
 *
 * @internal
 */

/** The JSON body OpenAI answers an HTTP error status with. */
export const httpErrorBody = (status: number, message: string) => ({
  error: {
    message,
    type: status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error",
    param: null,
    code: status === 429 ? "rate_limit_exceeded" : null
  }
})
