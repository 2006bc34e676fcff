/**
 * The `--json` document of `probe` and `replay`: every run, the summary and the recommendation
 * with its env lines and config block.
 */
import * as Recommendation from "../Recommendation.js"
import type * as Summary from "../Summary.js"
import type * as Timeline from "../Timeline.js"

export const json = (
  runs: ReadonlyArray<Timeline.Run>,
  summary: Summary.Summary,
  recommendation: Recommendation.Recommendation,
  profile: string
): string =>
  JSON.stringify(
    {
      runs,
      summary,
      recommendation: {
        ...recommendation,
        profile,
        env: Recommendation.envLines(recommendation, profile),
        config: JSON.parse(Recommendation.configBlock(recommendation, profile))
      }
    },
    null,
    2
  )
