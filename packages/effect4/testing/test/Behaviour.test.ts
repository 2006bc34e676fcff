import { behaviourSuite } from "@streamguard/behaviour"
import { driver } from "./support/driver.js"

behaviourSuite(driver)
