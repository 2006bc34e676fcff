/**
 * HTTP on undici's `dispatch()`: the client's fast path. One attempt is one of the kernel's
 * `Exchange`s, which receives undici's callbacks and reports straight to the guard's feed (the
 * phases, then each network read decoded synchronously into events); this module sends it and
 * turns its answer into this line's effects and errors.
 *
 * This line ships undici 8, which speaks only the controller handler interface (`onRequestStart`,
 * `onResponseStart`, `onResponseData`, ...) and calls `onRequestSent` (the end of the `write`
 * phase) on it: the exchange is dispatched as itself, its `"controller"` face.
 *
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Dispatch from "@streamguard/kernel/client/Dispatch"
import * as Exchange from "@streamguard/kernel/client/Exchange"
import * as TransportFailure from "@streamguard/kernel/client/TransportFailure"
import type * as Dialect from "@streamguard/protocols/Dialect"
import { fromFailure } from "@streamguard/protocols/ProtocolError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpBody from "effect/http/HttpBody"
import * as Url from "effect/http/Url"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type { Dispatcher } from "undici"
import { BatchResponse } from "../BatchResponse.js"
import type { AttemptError, StreamError } from "../ClientError.js"
import { TransportError, UpstreamHttpError } from "../ClientError.js"
import type { Attempt, Transport } from "./transport.js"

const bodyOf = (body: HttpBody.HttpBody): Effect.Effect<Dispatch.Body> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Uint8Array":
      return Effect.succeed(Dispatch.bytesBody(body.body))
    case "Raw":
      return Effect.succeed(body.body as Dispatch.Body)
    case "FormData":
      return Effect.succeed(body.formData as unknown as Dispatch.Body)
    case "Stream":
      return NodeStream.toReadable(body.stream)
  }
}

/** How the exchange makes the failures of a response that already streamed: this line's classes. */
const errors: Exchange.Errors<StreamError> = {
  transport: (failure) => new TransportError(failure),
  decode: fromFailure
}

const streaming = Effect.void
const interrupted = Effect.interrupt

/** The attempt's effect for the exchange's answer. */
const answered = (answer: Exchange.Answer): Effect.Effect<BatchResponse | void, AttemptError> => {
  switch (answer._tag) {
    case "Streaming":
      return streaming
    case "Body":
      return Effect.succeed(new BatchResponse({ status: answer.status, headers: answer.headers, text: answer.text }))
    case "HttpError":
      return Effect.fail(new UpstreamHttpError(answer.failure))
    case "TransportFailure":
      return Effect.fail(new TransportError(answer.failure))
    case "Aborted":
      return interrupted
  }
}

/**
 * Sends one attempt through `dispatcher`; the exchange reports to the attempt's feed and settles
 * the returned effect. Interrupting it (a decision of the guard) destroys the connection.
 */
const send = <A, R>(
  dispatcher: Dispatcher,
  attempt: Attempt<A>,
  decoder: Dialect.Decoder<A> | undefined
): Effect.Effect<R, AttemptError> =>
  Effect.flatMap(bodyOf(attempt.request.body), (body) =>
    Effect.callback<R, AttemptError>((resume) => {
      const request = attempt.request
      const url = Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))
      if (Result.isFailure(url)) {
        return resume(Effect.fail(new TransportError(TransportFailure.invalidRequest(url.failure.message))))
      }
      const exchange = new Exchange.Exchange<A, StreamError>(
        attempt.feed,
        decoder,
        errors,
        Duration.toMillis(attempt.excerptWithin),
        (answer) => resume(answered(answer) as Effect.Effect<R, AttemptError>)
      )
      exchange.dispatch(
        dispatcher,
        Dispatch.options(url.success, request.method, request.headers, body),
        "controller"
      )
      return Effect.sync(() => exchange.abort())
    }))

/**
 * The transport over an undici dispatcher (an `Agent`, a `Pool`, a `Client`).
 *
 * @internal
 */
export const make = (dispatcher: Dispatcher): Transport => ({
  stream: (attempt, dialect, options) => send(dispatcher, attempt, dialect.decoder(options)),
  batch: (attempt) => send(dispatcher, attempt, undefined)
})
