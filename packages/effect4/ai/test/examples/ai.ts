/**
 * The examples of `@streamguard/ai`'s README, as code that typechecks and runs
 * (`../Examples.test.ts` runs them against the kernel's simulator). Each `#region` is one README
 * code block, character for character.
 */
// #region imports
import { NodeHttpClient } from "@effect/platform-node"
import { GuardedHttpClient, StreamParts } from "@streamguard/ai"
import { Profiles } from "@streamguard/core"
import { Effect, Layer, Result, Stream } from "effect"
import { LanguageModel } from "effect/ai"
import type { HttpClient } from "effect/http"
// #endregion

// #region guarded
// Any provider's model layer that takes its HttpClient from context: the guarded client goes
// between it and the platform's, and every request the model makes is guarded.
export const guarded = <E, R>(model: Layer.Layer<LanguageModel.LanguageModel, E, R | HttpClient.HttpClient>) =>
  model.pipe(Layer.provide(GuardedHttpClient.layer()), Layer.provide(NodeHttpClient.layerUndici))
// #endregion

// #region answer
// Unchanged effect/ai code: its text, or a typed failure when the stream stalls (past the
// profile's chunk limit) or sends no content part for 2 minutes (ProgressTimeout). Either way the
// connection is closed.
export const answer = (prompt: string) =>
  LanguageModel.streamText({ prompt }).pipe(
    StreamParts.guardProgress("2 minutes"),
    Stream.filterMap((part) => part.type === "text-delta" ? Result.succeed(part.delta) : Result.fail(part)),
    Stream.mkString
  )

// Under the chat profile: chunk 30 s, total 120 s; a whole (non-streamed) answer, request 60 s.
export const inChat = (prompt: string) => answer(prompt).pipe(Effect.provide(Profiles.chat))
// #endregion
