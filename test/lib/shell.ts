/**
 * Read generated shell back in tests: split a command line into words the way
 * POSIX sh would for the quoting pyconfine emits (single quotes, double quotes,
 * backslash escapes), and collect the commands of a Markdown ```sh block.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Every command in the ```sh blocks of a Markdown text, ` \` continuations joined. */
export function markdownCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.replace(/ \\\n\s*/g, ' ').split('\n')) {
      if (line.trim()) commands.push(shellWords(line.trim()));
    }
  }
  return commands;
}
