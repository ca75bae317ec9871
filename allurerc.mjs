// Allure 3 (npm "allure") settings for `npx -y allure@3 generate allure-results` (README "Allure").
// groupBy: the tree is phase → checklist item (the harness labels every test with
// parentSuite = phase, suite = item); without it Allure groups by file.
// singleFile: one self-contained index.html that opens from a file or a CI artifact (the
// multi-file report must be served over HTTP; opened from file:// it spins forever).
export default {
  name: "Staging verification",
  output: "allure-report",
  plugins: {
    awesome: { options: { singleFile: true, groupBy: ["parentSuite", "suite"] } },
  },
};
