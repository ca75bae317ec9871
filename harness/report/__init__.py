"""The report layer: checklist roll-up, results, rendering (Markdown, HTML, Allure), sign-off.

Nothing here knows about pytest's session; ``harness.plugin.report`` feeds it."""
