package io.stackpipe.steps;

/** One key of the map a step returns, with what it holds (for the docs). */
public record ResultField(String name, String help) {
}
