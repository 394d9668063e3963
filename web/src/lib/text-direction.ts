// Direction of a post's text. dir="auto" takes the first strong letter, which for "@handle نص عربي" or
// "https://… نص" is Latin and lays an Arabic post out left to right; the post's language settles it first.
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const STRONG = /[A-Za-z\u00C0-\u024F\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

export function textDirection(text: string, lang?: string | null): 'rtl' | 'ltr' | 'auto' {
  if (lang === 'ar') return 'rtl';
  if (lang === 'en') return 'ltr';
  // skip leading mentions, hashtags and links, then take the first strong letter
  const body = text.replace(/(^|\s)(@\w+|#\w+|https?:\/\/\S+)/g, ' ');
  const first = STRONG.exec(body)?.[0];
  if (!first) return 'auto';
  return RTL.test(first) ? 'rtl' : 'ltr';
}
