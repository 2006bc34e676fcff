/** The no-leak check of a test file: the behavioural suite's, written once for both lines. */
export { checkNoLeaks } from "@streamguard/behaviour/Leaks"
