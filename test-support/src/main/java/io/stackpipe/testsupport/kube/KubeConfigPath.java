package io.stackpipe.testsupport.kube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.nio.file.Path} parameter that receives the admin kubeconfig of the shared control plane
 * (an annotation, so plain {@code Path} parameters such as {@code @TempDir} stay with their own resolvers).
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface KubeConfigPath {}
