/**
 * Vocabulary for mock documents: common English words of mixed length, so generated text
 * reads like prose at a glance. Kept as one block of text so the list stays easy to scan.
 */
const VOCABULARY = `
  the a of and to in is that for it as with on by this be are from at or an which not we
  can all its more when each into than other some may over most about
  system model report result signal market river garden window history process method
  answer question evidence pattern surface journey harvest library network balance measure
  season village engine letter number record theory energy language decision structure
  argument landscape boundary direction material account
  careful quiet bright steady common simple early recent useful gentle narrow broad formal
  natural central distant familiar several different important possible particular general
  local
  shows remains suggests follows describes carries returns builds explains changes supports
  reflects connects produces requires becomes includes measures reaches gathers settles
  continues
  often rarely slowly clearly together however perhaps already between through against
  without during within across under
`;

/** The words documents are made of; none contains whitespace. */
export const WORDS: readonly string[] = VOCABULARY.trim().split(/\s+/);
