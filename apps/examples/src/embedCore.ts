import { Effect } from "effect"

Effect.runFork(Effect.log("StreamGuard example: coming soon"))
