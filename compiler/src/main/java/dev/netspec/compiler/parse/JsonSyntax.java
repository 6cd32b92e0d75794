package dev.netspec.compiler.parse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson's JSON syntax errors in the words of a spec's author, as {@link YamlSyntax} does for
 * YAML: what is wrong and what to write ("a ',' is missing before this entry"), instead of the
 * parser's "Unexpected character ('"' (code 34)): was expecting comma to separate Object
 * entries" or its "(start marker at [Source: REDACTED ...])". Errors it does not recognize keep
 * the parser's text without its source and character codes.
 */
final class JsonSyntax {
  private JsonSyntax() {}

  private static final Pattern CHARACTER = Pattern.compile("Unexpected character \\('(.*?)' \\(code \\d+\\)\\)(?: in numeric value)?: (.*)");
  private static final Pattern TOKEN = Pattern.compile("Unrecognized token '(.*?)': was expecting .*");
  private static final Pattern CLOSE = Pattern.compile("Unexpected close marker '(.)': .*");

  /** Jackson's message {@code message} (its first line) explained: the text after "JSON syntax error: ". */
  static String explain(String message) {
    if (message.startsWith("Unexpected end-of-input")) {
      if (message.contains("close marker for Object")) {
        return "the file ends inside an object: a closing '}' is missing";
      }
      if (message.contains("close marker for Array")) {
        return "the file ends inside a list: a closing ']' is missing";
      }
      return "the file ends in the middle of a value";
    }
    Matcher m = TOKEN.matcher(message);
    if (m.matches()) {
      return "'" + m.group(1) + "' is not a JSON value; put text in double quotes: \"" + m.group(1) + "\"";
    }
    m = CLOSE.matcher(message);
    if (m.matches()) {
      return "'" + m.group(1) + "' closes nothing that is open; remove it";
    }
    m = CHARACTER.matcher(message);
    if (m.matches()) {
      String c = m.group(1);
      String expecting = m.group(2);
      if (c.equals("'")) {
        return "JSON strings take double quotes, not single quotes";
      }
      if (c.equals("/") || c.equals("#")) {
        return "JSON has no comments; remove it (in a YAML spec, # starts a comment)";
      }
      if (expecting.contains("double-quote to start")) {
        return "a key is a string in double quotes, such as \"blocks\"; found '" + c + "'";
      }
      if (expecting.contains("comma to separate Object entries")) {
        return "a ',' is missing before this entry";
      }
      if (expecting.contains("comma to separate Array entries")) {
        return "a ',' is missing before this item";
      }
      if (expecting.contains("colon to separate")) {
        return "a ':' is missing after the key";
      }
      return "unexpected '" + c + "': " + expecting;
    }
    return message.replaceAll(" ?\\(?(start marker at )?\\[Source: [^\\]]*\\]\\)?", "");
  }
}
