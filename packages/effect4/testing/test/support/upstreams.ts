/**
 * The suite's scripts as the Effect 4 line plays them: a stream of `StreamEvent`s for the guard,
 * and a simulator `Scenario` for the in-memory upstream behind `LlmClient`, in the `openaiChat`
 * dialect. Every pause is an `Effect.sleep`, so the `TestClock` moves it.
 */
import type { Step as SuiteStep, Upstream } from "@streamguard/behaviour"
import { StreamEvent } from "@streamguard/core"
import type { OpenAiChat } from "@streamguard/protocols"
import { Dialects } from "@streamguard/protocols"
import { Scenario, Step } from "@streamguard/simulator"
import { Effect, Stream } from "effect"

/** A content value under the guard: its text, and whether it is reasoning (the guard's `isReasoning`). */
export interface Value {
  readonly text: string
  readonly reasoning: boolean
}

/** The steps that play: those before an `End` (which ends the upstream there). */
const playing = (steps: ReadonlyArray<SuiteStep>): ReadonlyArray<SuiteStep> => {
  const end = steps.findIndex((step) => step._tag === "End")
  return end === -1 ? steps : steps.slice(0, end)
}

const eventsOf = (step: SuiteStep): Stream.Stream<StreamEvent.StreamEvent<Value>> => {
  switch (step._tag) {
    case "Content":
    case "Reasoning":
      return Stream.succeed(
        StreamEvent.Chunk({ value: { text: step.text, reasoning: step._tag === "Reasoning" }, bytes: step.text.length })
      )
    case "Keepalive":
      return Stream.succeed(StreamEvent.Keepalive({ bytes: 0 }))
    case "Wait":
      return Stream.fromEffectDrain(Effect.sleep(step.millis))
    case "Done":
      return Stream.succeed(StreamEvent.Done({ bytes: 0 }))
    case "Error":
      return Stream.succeed(StreamEvent.ErrorSignal({
        payload: { error: { type: step.errorType, message: step.message } },
        errorType: step.errorType,
        message: step.message,
        bytes: 0
      }))
    case "End":
      return Stream.empty
    case "Stall":
      return Stream.never
  }
}

/** The script as the guard's upstream: one pull per step. An HTTP answer has no meaning without HTTP. */
export const guardUpstream = (upstream: Upstream): Stream.Stream<StreamEvent.StreamEvent<Value>> =>
  upstream._tag === "HttpError"
    ? Stream.die(new Error("an HTTP error answer needs a client"))
    : Stream.flatMap(Stream.fromIterable(playing(upstream.steps)), eventsOf)

/** A reasoning-only chunk in the `openaiChat` dialect. */
const reasoningChunk = (text: string) => ({
  id: "chatcmpl-behaviour",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta: { reasoning_content: text }, finish_reason: null }]
})

const stepOf = (step: SuiteStep): Step.Step => {
  switch (step._tag) {
    case "Content":
      return Step.chunk(step.text)
    case "Reasoning":
      return Step.chunkPayload(reasoningChunk(step.text))
    case "Keepalive":
      return Step.keepalive
    case "Wait":
      return Step.wait(step.millis)
    case "Done":
      return Step.done
    case "Error":
      return Step.error({ errorType: step.errorType, message: step.message })
    case "End":
      return Step.end
    case "Stall":
      return Step.stallForever
  }
}

/** The script as the in-memory upstream plays it. */
export const scenarioOf = (upstream: Upstream): Scenario.Scenario =>
  upstream._tag === "HttpError"
    ? Scenario.httpError({ status: upstream.status, delay: upstream.afterMillis })
    : Scenario.script(upstream.steps.map(stepOf))

/** The text of an `openaiChat` content value: its answer text, or its reasoning. */
export const textOf = (value: OpenAiChat.ChatCompletionChunk): string => {
  const delta = value.choices?.[0]?.delta
  const reasoning = delta?.reasoning_content ?? delta?.reasoning
  return Dialects.openaiChat.text(value) ?? (typeof reasoning === "string" ? reasoning : "")
}
