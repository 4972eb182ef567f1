package io.stackpipe.steps;

import java.util.List;
import java.util.Optional;

/**
 * What a front end needs to offer a step: its function name, a summary, its parameters in the order the docs list
 * them, the keys of the map it returns, and an example. {@code docs/STEPS.md} is checked against these.
 *
 * @param block whether the step takes a body ({@code promoteL3(service: 'orders', version: v) { … }})
 */
public record StepDescription(String name, String summary, boolean block, List<StepParameter> parameters,
    List<ResultField> returns, String example) {

  public StepDescription {
    parameters = List.copyOf(parameters);
    returns = List.copyOf(returns);
  }

  public Optional<StepParameter> parameter(String parameterName) {
    return parameters.stream().filter(p -> p.name().equals(parameterName)).findFirst();
  }

  public List<StepParameter> requiredParameters() {
    return parameters.stream().filter(StepParameter::required).toList();
  }

  public List<StepParameter> optionalParameters() {
    return parameters.stream().filter(p -> !p.required()).toList();
  }
}
