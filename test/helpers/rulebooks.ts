// A small rule added to the shipped rulebook by the tests that publish a new version and rescore: it flags
// posts about an exhibition, which the generated posts mention often.
export const EXTRA_RULE = `category: reputation
rules:
  - id: reputation.test.exhibition
    severity: low
    lang: any
    kind: lexicon
    title: { ar: "معرض", en: "Exhibition" }
    explanation: { ar: "قاعدة تجريبية.", en: "A trial rule." }
    terms: [exhibition, المعرض]
`;
