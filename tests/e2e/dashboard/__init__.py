"""The coordinators' dashboard in a real browser (Chromium, driven by Playwright), on a small
synthetic clinic. Screenshots of every step go to ``$ILDPATH_TEST_ARTIFACTS/screenshots``
(default ``test-artifacts/``). Without Chromium the tests are skipped, except in CI
(``CI=true``), where they fail."""
