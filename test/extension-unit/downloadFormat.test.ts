import assert from 'node:assert/strict';
import type { DownloadProgress } from '../../src/engine/hub/download';
import { downloadTitle, formatDuration, formatPercent, formatSpeed, progressMessage, ProgressSteps } from '../../src/extension/downloadFormat';

const MiB = 2 ** 20;

function progress(bytes: number, totalBytes: number, bytesPerSecond: number, file = 'model.safetensors'): DownloadProgress {
  return { file, fileBytes: bytes, fileSize: totalBytes, bytes, totalBytes, percent: (100 * bytes) / totalBytes, bytesPerSecond };
}

describe('extension: download progress text', () => {
  it('formats speed, time left and percent', () => {
    assert.equal(formatSpeed(4.25 * MiB), '4.3 MiB/s');
    assert.equal(formatSpeed(512), '512 bytes/s');
    assert.equal(formatSpeed(0), 'starting');
    assert.equal(formatSpeed(Number.NaN), 'starting');
    assert.equal(formatDuration(0.2), '1 s');
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(150), '3 min');
    assert.equal(formatDuration(3600), '1 h');
    assert.equal(formatDuration(3900), '1 h 5 min');
    assert.equal(formatPercent(0, 100), '0%');
    assert.equal(formatPercent(999, 1000), '99%', 'never 100% before the last byte');
    assert.equal(formatPercent(1000, 1000), '100%');
    assert.equal(formatPercent(0, 0), '100%', 'nothing to fetch is done');
  });

  it('says bytes so far and in all, percent, speed, time left and the file', () => {
    assert.equal(
      progressMessage(progress(12 * MiB, 120 * MiB, 4 * MiB, 'sub/model.safetensors')),
      '12.0 MiB of 120.0 MiB (10%), 4.0 MiB/s, about 27 s left: model.safetensors',
    );
    assert.equal(progressMessage(progress(0, 1056540, 0, 'stories260K/stories260K.bin')), '0 bytes of 1.0 MiB (0%), starting: stories260K.bin');
    assert.equal(progressMessage(progress(2048, 2048, 1024)), '2.0 KiB of 2.0 KiB (100%), 1.0 KiB/s: model.safetensors');
  });

  it('turns running totals into progress bar increments that add up to 100', () => {
    const steps = new ProgressSteps();
    const increments = [10, 35, 35, 20, 100].map((pct) => steps.next(progress(pct, 100, 1)).increment);
    assert.deepEqual(increments, [10, 25, 0, 0, 65], 'a step back (a restarted file) adds nothing');
    assert.equal(increments.reduce((a, b) => a + b), 100);
  });

  it('titles a download with its size when known', () => {
    assert.equal(downloadTitle('gpt2', 551_605_171), 'gpt2 (526.1 MiB)');
    assert.equal(downloadTitle('test-org/tiny', undefined), 'test-org/tiny');
  });
});
