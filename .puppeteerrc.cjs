// Puppeteer's own browser download cannot work on closed networks; we drive the system Chromium
// (see src/render/browser.ts, PUPPETEER_EXECUTABLE_PATH / settings.chromiumPath).
module.exports = { skipDownload: true };
