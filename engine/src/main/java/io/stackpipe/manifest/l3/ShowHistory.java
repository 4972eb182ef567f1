package io.stackpipe.manifest.l3;

import io.stackpipe.Names;
import io.stackpipe.StackpipeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The promotions kept with the pointer (up to the history limit), newest first, optionally of one service. */
public final class ShowHistory {
  private final L3 l3;
  private String service;

  ShowHistory(L3 l3) {
    this.l3 = l3;
  }

  public ShowHistory withService(String value) {
    this.service = value;
    return this;
  }

  public L3History call() {
    if (service != null && !Names.isDns1123Label(service)) {
      throw StackpipeException.ofField("service", "'" + service + "' is not a chart name (a DNS-1123 label)");
    }
    List<Promotion> promotions = new ArrayList<>(l3.pointer().read().orElseThrow(() -> l3.none()).history());
    Collections.reverse(promotions);
    if (service != null) {
      promotions.removeIf(p -> p.change() == null || !p.change().service().equals(service));
    }
    return new L3History(l3.name(), service, promotions);
  }
}
