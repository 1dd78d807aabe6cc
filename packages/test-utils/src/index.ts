export { CHROMIUM_ARGS, launchChromium } from './chromium.js'
export { freePort } from './ports.js'
