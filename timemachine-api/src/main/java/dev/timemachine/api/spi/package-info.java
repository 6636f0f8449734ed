/**
 * Service provider interfaces. Storage engines implement {@link dev.timemachine.api.spi.StorageEngine} and
 * event sources {@link dev.timemachine.api.spi.EventSourceProvider}; both are found with
 * {@link java.util.ServiceLoader} and chosen by name.
 */
package dev.timemachine.api.spi;
