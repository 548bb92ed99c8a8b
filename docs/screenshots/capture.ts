/**
 * Takes the Web UI screenshots kept beside this file, from a running `ackflow dev` with a
 * few tasks of each type sent to it:
 *
 *   npx tsx docs/screenshots/capture.ts [http://127.0.0.1:8233]
 *
 * Uses the machine's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) headless.
 */
import { chromium } from 'playwright-core';

const ui = process.argv[2] ?? 'http://127.0.0.1:8233';
const shots = [
  {
    file: 'web-ui-filtered-by-task-type.png',
    query: 'TaskType="resume.tailor"',
  },
  {
    file: 'web-ui-all-tasks.png',
    query: 'WorkflowType="taskWorkflow"',
  },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  for (const shot of shots) {
    const url = `${ui}/namespaces/default/workflows?query=${encodeURIComponent(shot.query)}`;
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.waitForSelector('text=taskWorkflow', { timeout: 15_000 });
    const path = new URL(shot.file, import.meta.url).pathname;
    await page.screenshot({ path });
    console.log(`${shot.file}: ${url}`);
  }
  // One task's page: its history of chunk activities, the input and the result.
  await page.click('a[href*="/workflows/task-"]');
  await page.waitForSelector('text=generateChunk', { timeout: 15_000 });
  await page.screenshot({ path: new URL('web-ui-task-history.png', import.meta.url).pathname });
  console.log('web-ui-task-history.png');
} finally {
  await browser.close();
}
